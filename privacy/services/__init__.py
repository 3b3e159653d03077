"""The privacy services (SPEC S11): the access log (``log``), its proof (``chain``), its
retention (``retention``), disclosures and the reports handed to data subjects.

Views, admin actions, commands and tasks call these; see each module for details.
"""

from ..errors import PrivacyError
from .chain import Digest, VerifyResult, head_digest, parse_digest, send_digest, verify_chain
from .disclosures import add_disclosure, change_disclosure, delete_disclosure
from .log import (
    Action,
    Collector,
    canonical_payload,
    chain_hash,
    entry_hash,
    log_change,
    record,
    write_entry,
)
from .reports import hand_out_own_data, hand_out_report, own_data_limit
from .retention import (
    PurgeResult,
    ensure_partitions,
    purge_access_log,
    retention_days,
    set_retention_floor,
)

__all__ = [
    "Action",
    "Collector",
    "Digest",
    "PrivacyError",
    "PurgeResult",
    "VerifyResult",
    "add_disclosure",
    "canonical_payload",
    "chain_hash",
    "change_disclosure",
    "delete_disclosure",
    "ensure_partitions",
    "hand_out_own_data",
    "hand_out_report",
    "entry_hash",
    "head_digest",
    "log_change",
    "own_data_limit",
    "parse_digest",
    "purge_access_log",
    "record",
    "retention_days",
    "send_digest",
    "set_retention_floor",
    "verify_chain",
    "write_entry",
]

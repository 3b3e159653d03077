"""Modules that apps contribute to the shop's ops commands, found by name.

``seed_demo`` runs every app's ``demo.py``, ``bench`` and ``seed_scale`` every app's
``benchmarks.py``. Like Django's ``autodiscover_modules`` (which the admin uses for
``admin.py``), but the modules are handed back instead of being expected to register
themselves at import time: the commands in ``shop`` call what they find and know no app
above them.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_modules(name):
    """``[(app_config, module)]`` of each installed app with a submodule ``name``, in the
    order of ``INSTALLED_APPS`` (which lists the apps layer by layer, lowest first)."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, name):
            found.append((config, import_module(f"{config.name}.{name}")))
    return found

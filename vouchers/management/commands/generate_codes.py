from django.core.management.base import BaseCommand, CommandError

from shop.money import money_option
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign

from ._args import date_arg, positive_int


class Command(BaseCommand):
    help = "Create a discount-code campaign with its codes (all or nothing); prints the count."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="campaign name (unique)")
        parser.add_argument("--count", required=True, type=positive_int, help="number of codes")
        parser.add_argument(
            "--mask", default="", help="e.g. 'PROMO<NUM:1000><RAND:10000:99999>'; empty = random"
        )
        parser.add_argument(
            "--kind",
            choices=["single", "multi", "assigned"],
            default="single",
            help="default: single",
        )
        discount = parser.add_mutually_exclusive_group(required=True)
        discount.add_argument("--percent", help="percent off the goods")
        discount.add_argument("--amount", help="fixed amount off")
        discount.add_argument("--free-shipping", action="store_true", help="free shipping")
        parser.add_argument("--min-order", help="minimum goods value")
        parser.add_argument("--valid-from", type=date_arg, help="YYYY-MM-DD")
        parser.add_argument("--valid-to", type=date_arg, help="YYYY-MM-DD")
        parser.add_argument("--points-price", type=positive_int, help="price in loyalty points")
        parser.add_argument(
            "--per-customer",
            type=positive_int,
            help="uses per customer, all codes of the campaign together (multi-use and single-use codes)",
        )
        parser.add_argument("--budget", help="total discount of all orders together (amount)")
        parser.add_argument(
            "--max-uses", type=positive_int, help="orders that may use the campaign's codes"
        )
        scope = parser.add_argument_group("scope (repeat an option for several)")
        scope.add_argument(
            "--category", action="append", default=[], help="only goods of this category (slug)"
        )
        scope.add_argument("--product", action="append", default=[], help="only this product (SKU)")
        scope.add_argument(
            "--exclude-category", action="append", default=[], help="not this category (slug)"
        )
        scope.add_argument(
            "--exclude-product", action="append", default=[], help="not this product (SKU)"
        )
        scope.add_argument("--exclude-sale", action="store_true", help="not for products on sale")

    def handle(self, *args, **opts):
        # Parsed here, not by argparse: a bad amount is the one-line error of every command.
        if opts["percent"] is not None:
            discount_type = Campaign.DiscountType.PERCENT
            value = money_option(opts["percent"], "--percent")
        elif opts["amount"] is not None:
            discount_type = Campaign.DiscountType.AMOUNT
            value = money_option(opts["amount"], "--amount")
        else:
            discount_type, value = Campaign.DiscountType.FREE_SHIPPING, None
        min_order = money_option(opts["min_order"], "--min-order")
        budget = money_option(opts["budget"], "--budget")
        try:
            scope = services.scope_from_names(
                categories=opts["category"],
                products=opts["product"],
                excluded_categories=opts["exclude_category"],
                excluded_products=opts["exclude_product"],
                exclude_sale_items=opts["exclude_sale"],
            )
            campaign = services.generate_campaign(
                name=opts["name"],
                count=opts["count"],
                mask=opts["mask"],
                kind=opts["kind"],
                discount_type=discount_type,
                discount_value=value,
                min_order_value=min_order,
                valid_from=opts["valid_from"],
                valid_to=opts["valid_to"],
                points_price=opts["points_price"],
                per_customer_limit=opts["per_customer"],
                budget=budget,
                max_uses=opts["max_uses"],
                scope=scope,
            )
        except VoucherError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(str(campaign.codes.count()))

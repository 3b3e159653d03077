from decimal import Decimal

import factory

from vouchers.models import Campaign, Code, PartnerOffer


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    kind = Campaign.Kind.SINGLE
    discount_type = Campaign.DiscountType.PERCENT
    discount_value = Decimal("10.00")


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    campaign = factory.SubFactory(CampaignFactory)
    text = factory.Sequence(lambda n: f"CODE{n:06d}")


class PartnerOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOffer
        skip_postgeneration_save = True

    partner = factory.Sequence(lambda n: f"Partner {n}")
    headline = "10 % off your next order"
    link_url = factory.Sequence(lambda n: f"https://partner{n}.example.com/offer")

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)

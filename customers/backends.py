from django.contrib.auth.backends import ModelBackend

from shop import staffrows


class ShopUserBackend(ModelBackend):
    """E-mail login; rejected customers and accounts an operator created that the customer has
    not confirmed yet never authenticate (checked here, not only in the UI)."""

    def user_can_authenticate(self, user):
        return (
            super().user_can_authenticate(user)
            and not getattr(user, "is_rejected", False)
            and getattr(user, "is_confirmed", True)
        )

    def get_user(self, user_id):
        # A staff member's row is kept per process under the staff version (shop.staffrows):
        # any change of a staff user moves it on, so this is the row of now.
        user = staffrows.kept(
            "user",
            str(user_id),
            lambda: super(ShopUserBackend, self).get_user(user_id),
            keep=lambda user: user.is_staff,
        )
        # A session opened before the customer was rejected stops working on the next request.
        if user is not None and user.is_rejected:
            return None
        return user

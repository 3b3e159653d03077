import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()

from shop.memory import freeze_for_web_process  # noqa: E402  (needs the settings loaded)

freeze_for_web_process()

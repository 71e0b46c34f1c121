import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "overgang.settings")

application = get_wsgi_application()

# Everything loaded at start (Django, the apps, every view module through the URL
# configuration) lives as long as the worker: moved out of the garbage collector's
# generations, a full collection only walks what requests made. On the benchmark installation a full collection took about 120 ms of
# a citizen page every sixty pages, and the collector 5.6 % of the page's time; frozen,
# 2 % (bench/README.md "What a page costs").
get_resolver().url_patterns  # imports every view now rather than at the first request
gc.freeze()

from django.urls import reverse
from overgang import testing
from overgang.courses.models import Course
from overgang.audit.models import AuditEvent


def test_template_not_offered(client, world):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    testing.login(client, world.worker)
    url = reverse("courses:first_contact", kwargs={"code": world.citizen.code})
    for t in ("care_home", "nope", "", "homelessness\x00", "x" * 5000):
        r = client.post(url, {"template": t, "first_contact_on": "2026-01-05", "contact_route": "1"})
        print(t[:20], r.status_code)
        assert r.status_code in (200, 400)
    assert not Course.objects.exists()
    r = client.get(url + "?skabelon=care_home")
    print("get", r.status_code)
    r = client.post(url, {"template": "homelessness", "first_contact_on": "2026-01-05", "contact_route": "1", "third_party": "5"})
    print("ok", r.status_code, Course.objects.count(), Course.objects.first() and Course.objects.first().template_version.name)


def test_foreign_worker_template(client, world):
    testing.offer_templates(world.b, "care_home")
    testing.login(client, world.stranger)
    r = client.post(reverse("courses:first_contact", kwargs={"code": world.citizen.code}), {"template": "care_home"})
    assert r.status_code == 404

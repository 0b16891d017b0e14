from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, programme_create, programme_transition


def test_home_shows_pending_intake(cast, client_for, org_a):
    admin = cast["admin"]
    p = programme_create(organisation=org_a, actor=admin, name="Circles", format="peer_circles")
    programme_transition(programme=p, actor=admin, to="enrolling")
    enrolment_add(programme=p, actor=admin, people=[Person.objects.get(user=cast["member"])])
    body = client_for(cast["member"]).get("/o/acme/").content.decode()
    assert "waiting for your intake" in body
    assert f"/o/acme/programmes/{p.pk}/intake/" in body

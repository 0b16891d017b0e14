from __future__ import annotations

from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, programme_create, programme_transition


def test_the_enrolled_list_is_paged_for_large_cohorts(cast, client_for, org_a):
    admin = cast["admin"]
    programme = programme_create(organisation=org_a, actor=admin, name="Big", format="peer_pairs")
    programme_transition(programme=programme, actor=admin, to="enrolling")
    people = [
        Person(organisation=org_a, name=f"Person {i:03d}", email=f"p{i:03d}@acme.example.com")
        for i in range(105)
    ]
    Person.objects.bulk_create(people)
    enrolment_add(
        programme=programme,
        actor=admin,
        people=Person.objects.filter(email__startswith="p", email__endswith="@acme.example.com"),
    )
    url = f"/o/acme/programmes/{programme.pk}/people/"
    first = client_for(admin).get(url).content.decode()
    assert "Enrolled (105)" in first
    assert "Page 1 of 3" in first  # 50 a page
    assert "Person 000" in first
    # The directory beside it marks the enrolled people of its own page.
    assert '<span class="badge">enrolled</span>' in first
    assert "Send reminders to the 105 who have not finished their intake" in first
    last = client_for(admin).get(url, {"enrolled_page": 3}).content.decode()
    assert "Page 3 of 3" in last
    assert "Person 104" in last
    # Paging the directory beside it leaves the enrolled list where it was.
    directory_page_2 = client_for(admin).get(url, {"page": 2}).content.decode()
    assert "Page 1 of 3" in directory_page_2
    assert "Person 000" in directory_page_2

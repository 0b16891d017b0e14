from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from alongside.organisations.models import Membership, Organisation, Role


@pytest.mark.django_db
def test_it_creates_the_organisation_with_its_first_admin(capsys):
    call_command("create-organisation", "Zenith Health", admin="Head.Of.HR@zenith.example")
    organisation = Organisation.objects.get(slug="zenith-health")
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user.email == "head.of.hr@zenith.example"
    assert membership.role == Role.ADMIN
    assert "no password yet" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_refuses_a_taken_address_and_an_unknown_time_zone():
    call_command("create-organisation", "Zenith", admin="a@zenith.example")
    with pytest.raises(CommandError, match="taken"):
        call_command("create-organisation", "Zenith", admin="b@zenith.example")
    with pytest.raises(CommandError, match="time zone"):
        call_command("create-organisation", "Nadir", admin="b@zenith.example", time_zone="IST")
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user__email="b@zenith.example").exists()

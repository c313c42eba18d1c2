"""Donor services: names, salutations, emails and addresses."""

import pytest
from django.core.exceptions import ValidationError

from donors.models import DonorAddress, DonorEmail, DonorKind
from donors.services import (
    donor_address_add,
    donor_contacts_normalize,
    donor_create,
    donor_email_add,
    donor_save,
)

pytestmark = pytest.mark.django_db


def test_person_names_and_default_salutation():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    assert (donor.display_name, donor.sort_name, donor.salutation) == (
        "Ayesha Khan",
        "khan, ayesha",
        "Ayesha Khan",
    )


def test_person_with_a_prefix_is_addressed_by_prefix_and_last_name():
    donor = donor_create(prefix="Dr.", first_name="Ayesha", last_name="Khan")
    assert donor.display_name == "Ayesha Khan"
    assert donor.salutation == "Dr. Khan"


def test_person_suffix_is_part_of_the_display_name():
    donor = donor_create(first_name="Omar", last_name="Khan")
    donor.suffix = "Jr."
    donor_save(donor=donor)
    donor.refresh_from_db()
    assert donor.display_name == "Omar Khan, Jr."
    assert donor.sort_name == "khan, omar"


def test_household_joint_salutation():
    donor = donor_create(
        kind=DonorKind.HOUSEHOLD, prefix="Drs.", first_name="Ayesha and Omar", last_name="Khan"
    )
    assert donor.salutation == "Drs. Ayesha and Omar Khan"
    assert donor.display_name == "Ayesha and Omar Khan"
    assert donor.sort_name == "khan, ayesha and omar"


def test_household_named_as_a_family_sorts_by_last_name():
    donor = donor_create(
        kind=DonorKind.HOUSEHOLD,
        organization_name="The Khan Family",
        first_name="Ayesha and Omar",
        last_name="Khan",
    )
    assert donor.display_name == "The Khan Family"
    assert donor.sort_name == "khan, ayesha and omar"


def test_company_names_and_salutation_are_its_name():
    donor = donor_create(kind=DonorKind.COMPANY, organization_name="Indus Software LLC")
    assert (donor.display_name, donor.sort_name, donor.salutation) == (
        "Indus Software LLC",
        "indus software llc",
        "Indus Software LLC",
    )


def test_salutation_typed_by_staff_is_kept():
    donor = donor_create(first_name="Ayesha", last_name="Khan", salutation="Dear Ayesha")
    assert donor.salutation == "Dear Ayesha"


def test_renamed_donor_default_salutation_follows_the_new_name():
    donor = donor_create(first_name="Ayesha", last_name="Siddiqui")
    donor.last_name = "Khan"
    donor_save(donor=donor)
    donor.refresh_from_db()
    assert donor.salutation == "Ayesha Khan"
    assert donor.display_name == "Ayesha Khan"


def test_renamed_donor_keeps_a_salutation_staff_wrote():
    donor = donor_create(first_name="Ayesha", last_name="Siddiqui", salutation="Dear Auntie")
    donor.last_name = "Khan"
    donor_save(donor=donor)
    donor.refresh_from_db()
    assert donor.salutation == "Dear Auntie"


def test_person_needs_a_name():
    with pytest.raises(ValidationError) as error:
        donor_create(first_name=" ", last_name="")
    assert error.value.message_dict == {"last_name": ["A person needs a first or last name."]}


def test_company_needs_a_name():
    with pytest.raises(ValidationError) as error:
        donor_create(kind=DonorKind.COMPANY)
    assert error.value.message_dict == {"organization_name": ["A company needs a name."]}


def test_first_email_becomes_primary_and_is_lowercased():
    donor = donor_create(first_name="Ayesha", last_name="Khan", email=" Ayesha@Example.ORG ")
    second = donor_email_add(donor=donor, email="ayesha@work.example")
    assert list(donor.emails.values_list("email", "is_primary")) == [
        ("ayesha@example.org", True),
        ("ayesha@work.example", False),
    ]
    assert second.is_primary is False


def test_adding_a_second_primary_email_demotes_the_first():
    donor = donor_create(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    donor_email_add(donor=donor, email="ayesha@new.example", primary=True)
    assert list(donor.emails.filter(is_primary=True).values_list("email", flat=True)) == [
        "ayesha@new.example"
    ]
    assert donor.emails.count() == 2


def test_adding_an_email_twice_keeps_one():
    donor = donor_create(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    again = donor_email_add(donor=donor, email="AYESHA@example.org")
    assert donor.emails.count() == 1
    assert again.is_primary is True


def test_invalid_email_is_refused():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    with pytest.raises(ValidationError) as error:
        donor_email_add(donor=donor, email="not-an-email")
    assert "email" in error.value.message_dict
    assert not DonorEmail.objects.exists()


def test_us_address_needs_a_two_letter_state():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    with pytest.raises(ValidationError) as error:
        donor_address_add(
            donor=donor, line1="1 Monument Cir", city="Indianapolis", region="Indiana",
            postal_code="46204",
        )  # fmt: skip
    assert error.value.message_dict == {
        "region": ["Use the two-letter state code, such as IN or CA."]
    }
    assert not DonorAddress.objects.exists()


@pytest.mark.parametrize("zip_code", ["4620", "46204-12", "ABCDE", ""])
def test_us_address_needs_a_zip_code(zip_code):
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    with pytest.raises(ValidationError) as error:
        donor_address_add(
            donor=donor, line1="1 Monument Cir", city="Indianapolis", region="IN",
            postal_code=zip_code,
        )  # fmt: skip
    assert error.value.message_dict == {
        "postal_code": ["A US ZIP code is five digits, or ZIP+4 as 46204-1234."]
    }


def test_us_address_state_is_stored_upper_case_and_zip_plus_four_accepted():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    address = donor_address_add(
        donor=donor, line1="1 Monument Cir", city="Indianapolis", region="in",
        postal_code="46204-1234",
    )  # fmt: skip
    address.refresh_from_db()
    assert (address.region, address.postal_code, address.is_primary) == ("IN", "46204-1234", True)
    assert str(address) == "1 Monument Cir, Indianapolis, IN 46204-1234"


def test_international_address_needs_no_state():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    address = donor_address_add(
        donor=donor, line1="10 Downing St", city="London", postal_code="SW1A 2AA", country="GB"
    )
    address.refresh_from_db()
    assert address.country.code == "GB"
    assert str(address) == "10 Downing St, London, SW1A 2AA, United Kingdom"


def test_second_primary_address_demotes_the_first():
    donor = donor_create(
        first_name="Ayesha",
        last_name="Khan",
        address=dict(line1="1 Monument Cir", city="Indianapolis", region="IN", postal_code="46204"),
    )
    donor_address_add(
        donor=donor, line1="100 Main St", city="Fremont", region="CA", postal_code="94536",
        primary=True,
    )  # fmt: skip
    assert list(donor.addresses.filter(is_primary=True).values_list("city", flat=True)) == [
        "Fremont"
    ]


def test_contacts_normalize_makes_the_oldest_contact_primary():
    donor = donor_create(first_name="Ayesha", last_name="Khan")
    donor_email_add(donor=donor, email="first@example.org", primary=False)
    donor_email_add(donor=donor, email="second@example.org", primary=False)
    donor_contacts_normalize(donor=donor)
    assert list(donor.emails.filter(is_primary=True).values_list("email", flat=True)) == [
        "first@example.org"
    ]


def test_donor_create_with_tags_reuses_existing_tags():
    first = donor_create(first_name="Ayesha", last_name="Khan", tags=["board", " dinner-2025 "])
    second = donor_create(first_name="Omar", last_name="Khan", tags=["dinner-2025"])
    assert sorted(first.tags.values_list("name", flat=True)) == ["board", "dinner-2025"]
    assert list(second.tags.values_list("pk", flat=True)) == list(
        first.tags.filter(name="dinner-2025").values_list("pk", flat=True)
    )

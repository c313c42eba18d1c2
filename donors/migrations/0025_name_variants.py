"""The table of name spelling variants the duplicates page reads, seeded with common South Asian
transliterations (staff add their own in the admin)."""

from django.db import migrations, models


# canonical spelling: the other spellings donors write. Lower-case letters only.
SEED = {
    "muhammad": "mohammad mohammed muhammed mohamed mohamad muhamad muhamed mohd mohummad "
    "mohammod mahomed",
    "ahmed": "ahmad ahmmed ahamed ahmet",
    "hussain": "husain hussein husein hossain hosain hussian husayn",
    "hassan": "hasan hasen",
    "hussaini": "husaini hosseini",
    "chaudhry": "chaudhary choudhury chowdhury choudhry chaudhri chaudri chowdhry choudhary "
    "chodhry chaudary chaudhury",
    "syed": "sayed sayyid sayyed saiyed saiyid syyed",
    "qureshi": "kureshi quraishi qureishi koreshi qurashi kurashi",
    "rahman": "rehman rahmaan rahaman rehmaan",
    "abdul": "abdel abdal abdool",
    "usman": "osman uthman othman usmaan",
    "yusuf": "yousuf yousaf yusof yousef youssef yusef",
    "farooq": "faruq farook farouk faruk farooque",
    "siddiqui": "siddiqi siddique sidiqui siddiky siddiki sadiqi",
    "tariq": "tarik tareq tarek",
    "fatima": "fatimah fatema fathima",
    "ayesha": "aisha aysha ayisha aishah ayesa",
    "zainab": "zaynab zenab zeinab",
    "sheikh": "shaikh shaik sheik shaykh",
    "akhtar": "akhter akthar",
    "javed": "javaid jawed javeed",
    "naveed": "navid naved",
    "waheed": "wahid",
    "rasheed": "rashid",
    "majeed": "majid",
    "hameed": "hamid",
    "saeed": "sayeed saeid",
    "zubair": "zubayr zubeir",
    "umar": "omar omer umer",
    "nasir": "naseer nasser naser",
    "aziz": "azeez",
    "haq": "haque huq hoque",
    "noor": "nur noorh",
    "qadir": "kadir qader kader",
    "qasim": "kasim qaseem kasem",
    "iqbal": "ikbal",
    "mustafa": "mostafa mustapha moustafa",
    "khalid": "khaled",
    "bilal": "belal",
    "imran": "emran",
    "irfan": "erfan",
    "shahid": "shaheed",
    "zahid": "zaheed",
    "salim": "saleem selim",
    "karim": "kareem",
    "rizwan": "rizvan",
    "zafar": "zaffar",
    "mahmood": "mahmud mehmood mehmud mahmoud",
    "masood": "masud masoud",
    "nawaz": "niwaz",
    "haider": "hyder haidar",
    "maryam": "mariam mariyam",
    "sadia": "saadia sadiya",
    "rubina": "robina",
    "yasmin": "yasmeen",
    "ansari": "ansary",
    "gilani": "geelani jilani",
    "rizvi": "rizwi",
    "zaidi": "zaydi",
    "naqvi": "nakvi",
    "mirza": "meerza",
}


def seed(apps, schema_editor):
    NameVariant = apps.get_model("donors", "NameVariant")
    NameVariant.objects.bulk_create(
        NameVariant(variant=variant, canonical=canonical)
        for canonical, spellings in SEED.items()
        for variant in spellings.split()
    )


def unseed(apps, schema_editor):
    apps.get_model("donors", "NameVariant").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("donors", "0024_gift_thanked")]

    operations = [
        migrations.CreateModel(
            name="NameVariant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "variant",
                    models.CharField(
                        help_text="A spelling as donors write it: Mohammed.",
                        max_length=60,
                        unique=True,
                    ),
                ),
                (
                    "canonical",
                    models.CharField(
                        db_index=True,
                        help_text="The spelling it stands for; every variant of one name shares it: Muhammad.",
                        max_length=60,
                    ),
                ),
            ],
            options={"ordering": ["canonical", "variant"]},
        ),
        migrations.RunPython(seed, unseed),
    ]

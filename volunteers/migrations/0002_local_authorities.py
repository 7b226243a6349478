"""The West Midlands Combined Authority's member councils, so that every install starts with them."""

from django.db import migrations
from django.utils.text import slugify

CONSTITUENT = [
    ("Birmingham", "E08000025"),
    ("Coventry", "E08000026"),
    ("Dudley", "E08000027"),
    ("Sandwell", "E08000028"),
    ("Solihull", "E08000029"),
    ("Walsall", "E08000030"),
    ("Wolverhampton", "E08000031"),
]
NON_CONSTITUENT = [
    ("Cannock Chase", "E07000192"),
    ("North Warwickshire", "E07000218"),
    ("Nuneaton and Bedworth", "E07000219"),
    ("Redditch", "E07000236"),
    ("Rugby", "E07000220"),
    ("Shropshire", "E06000051"),
    ("Stratford-on-Avon", "E07000221"),
    ("Tamworth", "E07000199"),
    ("Telford and Wrekin", "E06000020"),
    ("Warwickshire", "E10000031"),
]


def create(apps, schema_editor):
    LocalAuthority = apps.get_model("volunteers", "LocalAuthority")
    for constituent, rows in ((True, CONSTITUENT), (False, NON_CONSTITUENT)):
        for name, code in rows:
            LocalAuthority.objects.update_or_create(
                name=name, defaults={"slug": slugify(name), "ons_code": code, "constituent": constituent}
            )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

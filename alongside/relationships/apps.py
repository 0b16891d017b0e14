from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "alongside.relationships"
    label = "relationships"
    verbose_name = "Relationships"

"""How the DAGs' tasks are named in the Airflow UI: mapped tasks after what they work on
(a source, an archive file), the run-wide enrich task after what it does."""

SOURCE_LABEL = "{{ source_id }}"  # map_index_template of the tasks mapped over sources
FILE_LABEL = "{{ path.split('/')[-1] }}"  # ... of those mapped over archive files
ENRICH_LABEL = "enrich (entities, topics, stories)"  # task_display_name of `enrich`

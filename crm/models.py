# The shell app has no tables of its own; this module lets Django send it post_migrate,
# which keeps the role groups in step with the models (see crm.apps).

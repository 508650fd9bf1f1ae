"""Deploying Frontdesk to AWS: `make deploy STAGE=<stage>`, `make destroy STAGE=<stage>`.

The owner's settings are frontdesk.json (git-ignored; `make settings` seeds it
from frontdesk.example.json), or the file FRONTDESK_SETTINGS names.

runtime.py       the Lambda runtime (python3.13), chosen here only, and AWS's dates for it
interpreters.py  this machine's Pythons: the runtime's for .venv and the zip's bytecode
chalice_cli.py   Chalice's command line, deploying and packaging for that runtime
packaging.py     the project copy Chalice packages, with the runtime's bytecode
resources.yaml   the CloudFormation stack of what Chalice does not create
stages.py        reads and checks the settings file (`make check-config`)
settings_schema.py  the fields of a stage in it: meaning, default, type
policy.template.json  the role policy of every deployed stage, with ${Stage} and ${SesIdentity}
policy.py        puts a stage's names into that template
chalice_config.py  a deployed stage's Chalice config, from its settings and the stack's outputs
stack.py         deploys and deletes the resources stack
gateway.py       gateway responses, redeployment, the usage plan's API stage
site.py          the web site: its origins, and publishing web/ to its bucket
web_headers.py   the site's security headers, defined once (make dev sends them too)
deploy.py        the whole sequence, with every AWS client handed in
admins.py        the admin group: `make admin`, `make admin-remove`, `make admins`
__main__.py      the command line (`python -m infra deploy --stage dev`)

Development only: nothing here is packaged into the Lambda.
"""

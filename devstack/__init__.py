"""The local stack behind `make dev` and the tests: moto's server as AWS,
provisioned like a deployed stage, and the API served the way API Gateway
would serve it. Development tooling only; never deployed."""

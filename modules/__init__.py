"""CDKTF constructs and stacks. Importing this package loads jsii and the AWS provider bindings (slow);
`meshform validate` never does."""

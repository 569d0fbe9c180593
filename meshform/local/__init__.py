"""Local proof: apply the synthesized stacks with real Terraform and the real AWS provider against moto."""

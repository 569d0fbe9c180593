"""One Terraform root module (state, HCP Terraform workspace) per account and phase."""

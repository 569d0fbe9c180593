"""meshform: environment spec + data contracts -> per-account CDKTF stacks for an AWS data mesh."""

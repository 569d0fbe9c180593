"""Redshift as a second way to deliver data products (docs/redshift.md): the SQL meshform runs (`sql`) and the plan
of warehouses, datashares and subscriber databases derived from the spec, the contracts and the access model
(`model`). Pure Python (no jsii): the stacks, the governance checks and the emulator read the same statements."""

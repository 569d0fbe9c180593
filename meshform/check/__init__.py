"""`meshform check`: checkov (built-in AWS checks + the mesh's own policies/) over every synthesized stack."""

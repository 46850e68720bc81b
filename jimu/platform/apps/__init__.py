"""The apps registry: each app groups forms, flows, rules, reports and print templates."""

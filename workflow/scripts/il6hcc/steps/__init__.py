"""One pure function per analysis rule, named as the rule: its typed inputs, params and wildcards
in by name, its outputs out by name (see il6hcc.rulekit). One module per rule, so a rule's jobs
depend only on the package modules its step imports."""

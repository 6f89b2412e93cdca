"""The ledger's commands, one module per concept; :class:`ledger.application.Ledger` is all of
them over one store. Each command reads the aggregates it needs, lets them and the domain's
functions check the rules, and runs through :meth:`~ledger.commands.base.Commands._command`
(or :meth:`~ledger.commands.base.Commands._update`): saved at once, retried on a conflict."""

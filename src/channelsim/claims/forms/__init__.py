"""The forms a claim can take, one module each; ``form:`` in the claim file picks one
(``total`` when absent). To add a form, write a ``ClaimBase`` subclass with a ``form``
literal and a ``judge`` method, and list it in ``channelsim.claims.model.FORMS``."""

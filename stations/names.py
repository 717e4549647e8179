"""How users are named to people: by their person's name (姓名), not their login."""


def person_name(user) -> str:
    """The name people know `user` by: their person's name, else their login name. A user with
    no person (an administrator, a command's stand-in) is named by the login."""
    person = getattr(user, "person", None)  # no person: RelatedObjectDoesNotExist, an AttributeError
    return getattr(person, "name", "") or user.get_username()

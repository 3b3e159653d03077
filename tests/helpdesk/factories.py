import factory

from helpdesk.models import CannedReply, ContactTopic, Message, Thread


class ContactTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactTopic

    name = factory.Sequence(lambda n: f"Topic {n}")
    recipient_email = factory.Sequence(lambda n: f"team{n}@example.com")


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    subject = factory.Sequence(lambda n: f"Question {n}")
    email = factory.Sequence(lambda n: f"sender{n}@example.com")
    name = "Erika Mustermann"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    kind = Message.Kind.CUSTOMER
    text = factory.Sequence(lambda n: f"Message text {n}")


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    title = factory.Sequence(lambda n: f"Canned {n}")
    text = factory.Sequence(lambda n: f"Canned reply text {n}")

using LiveIm.Nats.Internal;

namespace LiveIm.Nats.Tests.Unit;

public class SubjectsTests
{
    [Theory]
    [InlineData("room.1")]
    [InlineData("room.*.events")]
    [InlineData("room.>")]
    [InlineData(">")]
    public void Subscribe_accepts_plain_and_wildcard_subjects(string subject)
    {
        Subjects.ValidateForSubscribe(subject, "subject");
    }

    [Theory]
    [InlineData("")]
    [InlineData("room 1")]
    [InlineData("room.1\r\nPUB x 0")]
    [InlineData("room\t1")]
    [InlineData("room..1")]
    [InlineData(".room")]
    [InlineData("room.")]
    [InlineData("room.>.x")]
    public void Subscribe_rejects_empty_whitespace_and_malformed_subjects(string subject)
    {
        Assert.ThrowsAny<ArgumentException>(() => Subjects.ValidateForSubscribe(subject, "subject"));
    }

    [Theory]
    [InlineData("room.*")]
    [InlineData("room.>")]
    [InlineData("*")]
    public void Publish_rejects_wildcards(string subject)
    {
        Assert.ThrowsAny<ArgumentException>(() => Subjects.ValidateForPublish(subject, "subject"));
    }

    [Fact]
    public void Publish_accepts_star_inside_a_token()
    {
        // Only a whole '*' token is a wildcard.
        Subjects.ValidateForPublish("room.a*b", "subject");
    }
}

using LiveIm.Core.Gateways;
using Xunit;

namespace LiveIm.Core.Tests;

/// <summary>The avoid list a client sends to assignment stays within what RoomService accepts.</summary>
public sealed class AvoidListTests
{
    [Fact]
    public void Add_keeps_each_valid_id_once_and_at_most_the_contracts_count()
    {
        var avoid = new List<string>();
        AvoidList.Add(avoid, "gw-a");
        AvoidList.Add(avoid, "gw-a");
        AvoidList.Add(avoid, null);
        AvoidList.Add(avoid, "");
        AvoidList.Add(avoid, new string('x', AvoidList.MaxIdLength + 1));
        Assert.Equal(["gw-a"], avoid);

        for (var i = 0; i < 20; i++)
        {
            AvoidList.Add(avoid, "gw-" + i);
        }

        Assert.Equal(AvoidList.MaxCount, avoid.Count);
        Assert.All(avoid, id => Assert.True(AvoidList.IsValidId(id)));
        Assert.True(AvoidList.IsValidId(new string('x', AvoidList.MaxIdLength)));
    }
}

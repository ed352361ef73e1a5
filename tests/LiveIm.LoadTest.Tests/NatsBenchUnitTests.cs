using System.Buffers;
using System.Text;
using System.Text.Json;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Serialization;
using LiveIm.LoadTest.Bus;
using LiveIm.LoadTest.Model;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class NatsBenchUnitTests
{
    [Theory]
    [InlineData(300)]
    [InlineData(250)]
    [InlineData(700)]
    public void A_room_event_is_a_chat_event_of_exactly_the_size_asked_for(int bytes)
    {
        var payloads = new NatsBenchPayloads(3, bytes);
        Assert.All(payloads.Events, e => Assert.Equal(bytes, e.Length));
        var e = JsonSerializer.Deserialize(payloads.Events[2].Span, LiveImJson.Default.RoomEvent)!;
        Assert.Equal("room-000002", e.RoomId);
        Assert.Equal("chat", e.Type);
        Assert.Null(e.Seq);
        Assert.Equal("liveim.room.room-000002", payloads.RoomSubjects[2]);

        var request = JsonSerializer.Deserialize(payloads.Requests[2].Span, LiveImJson.Default.ChatRequest)!;
        Assert.Equal("room-000002", request.RoomId);
        Assert.Equal(e.Text, request.Text);
        Assert.Equal(ChatReply.Ok, JsonSerializer.Deserialize(payloads.Reply.Span, LiveImJson.Default.BusReplyChatReply)!.Result!.Status);
    }

    [Fact]
    public void The_responder_reads_the_room_of_a_request_even_when_it_spans_two_buffers()
    {
        var payloads = new NatsBenchPayloads(1000, 300);
        var request = payloads.Requests[987].ToArray();
        Assert.Equal(987, NatsBenchPayloads.RoomIndex(new ReadOnlySequence<byte>(request)));
        for (var cut = 1; cut < 30; cut++)
        {
            Assert.Equal(987, NatsBenchPayloads.RoomIndex(Split(request, cut)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"from\":{},\"roomId\":\"room-000001\"}")]
    [InlineData("{\"roomId\":42}")]
    [InlineData("{\"roomId\":\"room-\"}")]
    [InlineData("{\"roomId\":\"room-abc\"}")]
    [InlineData("{\"roomId\":\"room-1x\"}")]
    [InlineData("{\"roomId\":\"room--1\"}")]
    [InlineData("{\"roomId\":\"room-99999999999999999999\"}")]
    [InlineData("{\"roomId\":\"lobby-000001\"}")]
    public void A_request_that_is_not_ours_has_no_room(string text)
    {
        Assert.Equal(-1, NatsBenchPayloads.RoomIndex(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text))));
    }

    [Theory]
    [InlineData(16, 1000, 1)]
    [InlineData(16, 1000, 4)]
    [InlineData(16, 1000, 16)]
    [InlineData(5, 17, 3)]
    public void Each_room_sits_on_exactly_g_gateways_and_the_gateways_hold_equal_shares(int gateways, int rooms, int fanout)
    {
        var held = Enumerable.Range(0, gateways).Select(g => NatsBenchRunner.HeldRooms(g, gateways, rooms, fanout).ToList()).ToList();
        var holders = Enumerable.Range(0, rooms).Select(r => held.Count(h => h.Contains(r))).ToList();
        Assert.All(holders, n => Assert.Equal(fanout, n));
        Assert.InRange(held.Max(h => h.Count) - held.Min(h => h.Count), 0, fanout);

        // A room's senders are on gateway r mod G, which holds the room.
        Assert.All(Enumerable.Range(0, rooms), r => Assert.Contains(r, held[r % gateways]));
    }

    [Fact]
    public void The_model_figure_is_the_costliest_exact_chat_step_at_the_highest_rate()
    {
        var results = new[]
        {
            Result(NatsBenchStepKind.Publish, 1, null, 2_000_000),
            Result(NatsBenchStepKind.Chat, 1, 5000, 300_000),
            Result(NatsBenchStepKind.Chat, 1, null, 900_000),
            Result(NatsBenchStepKind.Chat, 4, null, 700_000),
            Result(NatsBenchStepKind.Chat, 16, null, 100_000) with { Dropped = 3 },
        };
        Assert.Equal("chat:4@max", NatsBenchReport.ModelFigure(results)!.Step.Name);
        Assert.Equal("nats_messages_per_core_second=700000 step=chat:4@max delivery_exact=no", NatsBenchReport.LastLine(results));
    }

    [Fact]
    public void Without_chat_steps_the_figure_comes_from_the_room_event_steps()
    {
        var results = new[] { Result(NatsBenchStepKind.Publish, 1, null, 2_000_000), Result(NatsBenchStepKind.Publish, 4, null, 1_500_000) };
        Assert.Equal("publish:4@max", NatsBenchReport.ModelFigure(results)!.Step.Name);
    }

    [Fact]
    public void A_run_without_an_exact_step_gives_the_model_no_figure()
    {
        var results = new[] { Result(NatsBenchStepKind.Chat, 1, null, 900_000) with { StepOut = 5 }, Result(NatsBenchStepKind.Chat, 4, null, double.NaN) };
        Assert.Null(NatsBenchReport.ModelFigure(results));
        var inputs = ModelInputs.Parse(NatsBenchReport.Inputs(results, NatsBenchOptions.Parse([]), "cmd", DateTimeOffset.UnixEpoch).ToJson(), "n.json");
        Assert.Null(inputs.Value(ModelInputs.NatsMessagesPerSecondPerCore));
        Assert.StartsWith("not measured", inputs.Get(ModelInputs.NatsMessagesPerSecondPerCore)!.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_input_file_carries_the_figure_with_its_step_time_and_command()
    {
        var results = new[] { Result(NatsBenchStepKind.Chat, 1, null, 912_345.6) };
        var json = NatsBenchReport.Inputs(results, NatsBenchOptions.Parse([]), "dotnet run -c Release --project LoadTest -- nats", new DateTimeOffset(2026, 12, 2, 15, 4, 0, TimeSpan.Zero)).ToJson();
        var figure = ModelInputs.Parse(json, "n.json").Get(ModelInputs.NatsMessagesPerSecondPerCore)!;
        Assert.Equal(912_345.6, figure.Value!.Value, 3);
        Assert.Contains("LoadTest nats of 2026-12-02 15:04 UTC, step chat:1@max", figure.Source, StringComparison.Ordinal);
        Assert.EndsWith("dotnet run -c Release --project LoadTest -- nats", figure.Source, StringComparison.Ordinal);
    }

    private static NatsBenchResult Result(NatsBenchStepKind kind, int fanout, double? rate, double perCore) => new()
    {
        Step = new NatsBenchStep(kind, fanout, rate),
        WindowSeconds = 8,
        EventsPerSecond = 1,
        SendsPerSecond = 1,
        InPerSecond = 1,
        OutPerSecond = 1,
        InBytesPerSecond = 1,
        OutBytesPerSecond = 1,
        NatsCores = 0.5,
        ClientCores = 1,
        MachineBusy = 0.9,
        MessagesPerCoreSecond = perCore,
        StepIn = 10,
        StepOut = 10,
        ClientsIn = 10,
        ClientsOut = 10,
        SlowConsumers = 0,
        Dropped = 0,
        RequestsFailed = 0,
    };

    private static ReadOnlySequence<byte> Split(byte[] bytes, int cut)
    {
        var first = new Segment(bytes.AsMemory(0, cut), 0);
        var last = first.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

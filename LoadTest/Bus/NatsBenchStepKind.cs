namespace LiveIm.LoadTest.Bus;

/// <summary>What one step of <c>LoadTest nats</c> puts on the bus (docs/protocol.md, "The bus (NATS)").</summary>
public enum NatsBenchStepKind
{
    /// <summary>Room events only: RoomService connections publish on <c>liveim.room.&lt;roomId&gt;</c>, gateways receive.</summary>
    Publish,

    /// <summary>
    /// LiveIm's whole chat send: a gateway's request on <c>liveim.svc.chat</c> (queue group <c>liveim-roomservice</c>),
    /// RoomService's reply, and the room event it publishes, delivered to each gateway holding the room: 3 messages in,
    /// 2 + g out (docs/capacity.md, formula 8).
    /// </summary>
    Chat,
}

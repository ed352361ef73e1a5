namespace LiveIm.RoomService.Stores;

/// <summary>
/// What makes two gift sends the same gift: the sender and the client's message id, within a room. A retry with the
/// same key is answered with the first send's id and seq (<see cref="IRoomStore.AppendReliableAsync"/>).
/// </summary>
/// <param name="UserId">The sender.</param>
/// <param name="ClientMsgId">The client's id of the send (validated: <c>^[A-Za-z0-9_-]{1,64}$</c>).</param>
public readonly record struct GiftKey(string UserId, string ClientMsgId);

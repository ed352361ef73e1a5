namespace LiveIm.Core.Events;

/// <summary>The <c>gift</c> object of a gift event.</summary>
/// <param name="GiftId">Catalogue id of the gift.</param>
/// <param name="Count">How many were sent at once.</param>
public sealed record GiftInfo(string GiftId, int Count);

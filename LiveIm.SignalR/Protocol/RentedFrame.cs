using System.Buffers;

namespace LiveIm.SignalR.Protocol;

/// <summary>A serialized frame in a pooled array; whoever sends it returns the array with <see cref="Dispose"/>.</summary>
internal readonly struct RentedFrame : IDisposable
{
    private readonly byte[] _array;
    private readonly int _length;

    public RentedFrame(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    /// <summary>The frame bytes, separator included.</summary>
    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, _length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(_array);
}

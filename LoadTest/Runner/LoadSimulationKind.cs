namespace LiveIm.LoadTest.Runner;

/// <summary>The load simulations, named as NBomber names them.</summary>
public enum LoadSimulationKind
{
    /// <summary>Closed model: copies move linearly from the current count to a target over the phase.</summary>
    RampingConstant,

    /// <summary>Closed model: a fixed number of copies for the phase.</summary>
    KeepConstant,

    /// <summary>Open model: the injection rate moves linearly from the previous phase's rate to a target.</summary>
    RampingInject,

    /// <summary>Open model: a fixed number of iterations per interval.</summary>
    Inject,

    /// <summary>Open model: a uniformly random number of iterations in [min, max] per interval.</summary>
    InjectRandom,

    /// <summary>Nothing runs (an open phase with rate 0; closed copies stay as they are).</summary>
    Pause,
}

namespace LiveIm.Hosting.Bus;

/// <summary>Configuration section <c>Nats:Tls</c>: TLS between this process and the NATS servers.</summary>
public sealed class BusTlsSettings
{
    /// <summary>
    /// <c>Auto</c> (default: TLS when a URL is <c>tls://</c> or a certificate file is set, else when the server offers
    /// it), <c>Require</c> (fail unless the server upgrades to TLS), <c>Implicit</c> (TLS from the first byte, for a
    /// TLS-terminating proxy that expects it), <c>Disable</c> (never: behind a proxy that terminates TLS itself).
    /// </summary>
    public string Mode { get; set; } = "Auto";

    /// <summary>PEM file of the certificate authority that signed the servers' certificates (default: the system's trust store).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate for servers that verify clients (<c>verify: true</c>), with <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>. Secret.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Accept any server certificate. Development only: refused at start-up in any other environment.</summary>
    public bool InsecureSkipVerify { get; set; }
}

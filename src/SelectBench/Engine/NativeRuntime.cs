using System.Runtime.InteropServices;

namespace SelectBench.Engine;

/// <summary>
/// The few native calls the engine needs outside TorchSharp's API: setting an environment variable that
/// native code reads with <c>getenv</c> (.NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// only changes the runtime's own copy), and switching libtorch's use of oneDNN (mkldnn) on or off, which
/// PyTorch exposes as <c>torch.backends.mkldnn.enabled</c> and TorchSharp does not. The latter calls
/// <c>at::globalContext().setUserEnabledMkldnn(bool)</c> by its Itanium-mangled name, so it exists on
/// Linux and macOS builds of libtorch; elsewhere the switch reports itself unavailable.
/// </summary>
internal static partial class NativeRuntime
{
    private const string LibTorchCpu = "torch_cpu";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvNative(string name, string value, int overwrite);

    [LibraryImport(LibTorchCpu, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(LibTorchCpu, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(LibTorchCpu, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    static NativeRuntime()
    {
        // Bind to the libtorch_cpu that TorchSharp loaded (next to it, or in its cpu/ fallback folder), never a
        // second copy: a second copy would have its own global context, and the switch would change nothing.
        NativeLibrary.SetDllImportResolver(typeof(NativeRuntime).Assembly, (name, _, _) =>
            name == LibTorchCpu && LoadedLibTorchPath() is { } path && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero);
    }

    /// <summary>
    /// Sets a variable for this process's native code and for child processes. Must run before the library
    /// that reads it is loaded or first used (libgomp reads OMP_* when it loads; oneDNN reads
    /// ONEDNN_MAX_CPU_ISA at its first primitive).
    /// </summary>
    public static void SetEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) SetEnvNative(name, value, 1);
    }

    /// <summary>Whether libtorch may use oneDNN (null when the switch cannot be reached on this platform).</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            try { return UserEnabledMkldnn(GlobalContext()); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }
    }

    /// <summary>Turns libtorch's use of oneDNN for convolutions (and other mkldnn paths) on or off for this process.</summary>
    public static bool TrySetOneDnnEnabled(bool enabled)
    {
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), enabled);
            return UserEnabledMkldnn(GlobalContext()) == enabled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when libtorch is already mapped into this process (Linux: /proc/self/maps), i.e. environment
    /// settings made now may come too late for libgomp.
    /// </summary>
    public static bool LibTorchLoaded() => LoadedLibTorchPath() is not null;

    /// <summary>The path of the libtorch_cpu mapped into this process, from /proc/self/maps; null if none (or not Linux).</summary>
    private static string? LoadedLibTorchPath()
    {
        try
        {
            if (!File.Exists("/proc/self/maps")) return null;
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("libtorch_cpu.so", StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (IOException) { }
        return null;
    }
}

namespace SelectBench.Common;

/// <summary>
/// Names the cause of a file-system error for the user (docs/running.md, "Refusals"): .NET on Unix puts the errno
/// of a failed call in <see cref="Exception.HResult"/> (of the exception or, for access errors, of its inner one).
/// </summary>
public static class IoErrors
{
    public const int NoSpace = 28;      // ENOSPC
    public const int ReadOnly = 30;     // EROFS
    public const int Denied = 13;       // EACCES
    public const int NotPermitted = 1;  // EPERM
    public const int WouldBlock = 11;   // EAGAIN/EWOULDBLOCK: flock held by another open file

    /// <summary>Whether <paramref name="e"/> is an error of the file system: the kind a command turns into exit 2 with its cause.</summary>
    public static bool IsIoError(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>"no space left on device", "read-only file system", "permission denied", ...; null when the errno is not one of these.</summary>
    public static string? Cause(Exception e)
    {
        foreach (var code in new[] { e.InnerException?.HResult ?? 0, e.HResult }) // the inner errno is the more precise
        {
            var cause = code switch
            {
                NoSpace or unchecked((int)0x80070070) or unchecked((int)0x80070027) => "no space left on device",
                ReadOnly or unchecked((int)0x80070013) => "read-only file system",
                Denied or unchecked((int)0x80070005) => "permission denied",
                NotPermitted => "operation not permitted",
                20 => "a part of the path is a file, not a folder", // ENOTDIR
                21 => "the path is a folder",                          // EISDIR
                _ => null,
            };
            if (cause != null) return cause;
        }
        return e switch
        {
            DirectoryNotFoundException => "a folder on the path does not exist (or is a file)",
            FileNotFoundException => "no such file",
            _ => null,
        };
    }

    /// <summary>"Cannot write /x/plan.json: no space left on device (...)": the operation, the path, the cause and the system's own words.</summary>
    public static string Describe(Exception e, string? what = null)
    {
        var cause = Cause(e);
        var message = e.Message.ReplaceLineEndings(" ");
        return $"{what ?? "File-system error"}: {(cause is null ? message : $"{cause} ({message})")}. " +
               "Check that the path is on a writable file system with free space, or choose another path.";
    }
}

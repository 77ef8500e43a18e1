// MSBuild inline task: see TorchSharpCompat.targets for why this exists.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class SelectBenchWeakenGlibcxx : Task
{
    private const string Needed = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public string Folder { get; set; } = "";

    public override bool Execute()
    {
        if (!Directory.Exists(Folder)) return true;
        var targets = Directory.GetFiles(Folder, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (targets.Length == 0) return true;
        if (SystemHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + Needed + "; no TorchSharp patch needed.");
            return true;
        }
        foreach (var path in targets)
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = Weaken(bytes);
                if (result == null) { Log.LogMessage(MessageImportance.Low, path + ": already loadable."); continue; }
                var tmp = path + ".selectbench-tmp";
                File.WriteAllBytes(tmp, result);
                // Rename over the output copy: never writes through a hard link into the NuGet cache.
                File.Delete(path);
                File.Move(tmp, path);
                Log.LogMessage(MessageImportance.Normal, "Marked " + Needed + " weak in " + path);
            }
            catch (Exception e)
            {
                Log.LogError("Could not make " + path + " loadable on this system (" + e.Message + "). " +
                             "Install a libstdc++ with " + Needed + " (GCC 13 or later) or report this.");
                return false;
            }
        }
        return true;
    }

    private static bool SystemHasVersion()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            var text = Encoding.ASCII.GetString(File.ReadAllBytes(c));
            return text.Contains(Needed);
        }
        return false; // unknown layout: patching is harmless (a weak flag only relaxes a check)
    }

    /// Returns the patched image, or null when no change is needed.
    private static byte[] Weaken(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("only ELF64 little-endian is supported");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        bool changed = false;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            uint type = BitConverter.ToUInt32(b, sh + 4);
            if (type != ShtGnuVerneed) continue;
            ulong offset = BitConverter.ToUInt64(b, sh + 0x18);
            uint link = BitConverter.ToUInt32(b, sh + 0x28);
            uint info = BitConverter.ToUInt32(b, sh + 0x2C);
            int strSh = checked((int)shoff + (int)link * shentsize);
            ulong strOff = BitConverter.ToUInt64(b, strSh + 0x18);
            int vn = (int)offset;
            for (uint n = 0; n < info; n++)
            {
                ushort cnt = BitConverter.ToUInt16(b, vn + 2);
                uint aux = BitConverter.ToUInt32(b, vn + 8);
                uint next = BitConverter.ToUInt32(b, vn + 12);
                int va = vn + (int)aux;
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(b, va + 4);
                    uint name = BitConverter.ToUInt32(b, va + 8);
                    uint vnaNext = BitConverter.ToUInt32(b, va + 12);
                    if (ReadString(b, (int)strOff + (int)name) == Needed && (flags & VerFlgWeak) == 0)
                    {
                        var f = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        b[va + 4] = f[0]; b[va + 5] = f[1];
                        changed = true;
                    }
                    if (vnaNext == 0) break;
                    va += (int)vnaNext;
                }
                if (next == 0) break;
                vn += (int)next;
            }
        }
        return changed ? b : null!;
    }

    private static string ReadString(byte[] b, int at)
    {
        int end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}

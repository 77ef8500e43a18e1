using SelectBench.Common;

namespace SelectBench.Tests.Common;

public class NpyTests
{
    [Fact]
    public void Float32RoundTripKeepsShapeAndValues()
    {
        var path = Path.Combine(Path.GetTempPath(), $"npy-{Guid.NewGuid():N}.npy");
        try
        {
            float[] data = [1f, -2.5f, 3f, 4f, 5f, 6f];
            Npy.Write(path, data, 2, 3);
            var bytes = File.ReadAllBytes(path);
            // Header length is padded so that data starts on a 64-byte boundary (format spec v1.0).
            Assert.Equal(0, (10 + BitConverter.ToUInt16(bytes, 8)) % 64);
            var (read, shape) = Npy.ReadFloat32(path);
            Assert.Equal([2, 3], shape);
            Assert.Equal(data, read);
        }
        finally { File.Delete(path); }
    }
}

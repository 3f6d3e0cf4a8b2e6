using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Tests.IO;

public class AtomicSaveTests
{
    /// <summary>Passes writes through to the file until <c>failAfter</c> bytes, then throws, as a full disk
    /// would; <c>onWrite</c> runs before each write (to change the world midway).</summary>
    private sealed class FailingStream(Stream inner, long failAfter, Action<int>? onWrite = null) : Stream
    {
        private long _written;
        private int _writes;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            onWrite?.Invoke(_writes++);
            if (_written + buffer.Length > failAfter)
            {
                int allowed = (int)(failAfter - _written);
                inner.Write(buffer[..allowed]);
                _written = failAfter;
                throw new IOException("injected failure: no space left on device");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void A_save_that_fails_midway_keeps_the_previous_file_and_leaves_no_temp_file()
    {
        using var dir = new TempFolder();
        using var model = new Sequential(new Linear(8, 8, generator: new Generator(1)), new Linear(8, 4, generator: new Generator(2)));
        string path = dir.File("model.safetensors");
        model.Save(path);
        byte[] previous = File.ReadAllBytes(path);

        using var big = Tensor.Randn([64, 64], seed: 3);
        using var big2 = Tensor.Randn([64, 64], seed: 4);
        var e = Assert.Throws<IOException>(() =>
            SafeTensors.Save(path, [("a", big), ("b", big2)], metadata: null, wrap: s => new FailingStream(s, failAfter: 10_000)));
        Assert.Equal("injected failure: no space left on device", e.Message);

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], dir.FileNames());
        using var check = new Sequential(new Linear(8, 8), new Linear(8, 4));
        check.Load(path);
    }

    [Fact]
    public void A_tensor_disposed_while_the_file_is_written_fails_the_save_and_keeps_the_previous_file()
    {
        using var dir = new TempFolder();
        string path = dir.File("state.safetensors");
        using var a = Tensor.Ones(16);
        SafeTensors.Save(path, [("a", a)]);
        byte[] previous = File.ReadAllBytes(path);

        var b = Tensor.Ones(16);
        using var c = Tensor.Ones(16);
        // The first two writes are the length and the header; the third, a's data; then b is gone.
        var e = Assert.Throws<ObjectDisposedException>(() =>
            SafeTensors.Save(path, [("a", a), ("b", b), ("c", c)], metadata: null,
                wrap: s => new FailingStream(s, long.MaxValue, onWrite: i => { if (i == 2) b.Dispose(); })));
        Assert.Contains("shape [16] was disposed", e.Message);

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(["state.safetensors"], dir.FileNames());
    }

    [Fact]
    public void A_tensor_already_disposed_in_the_list_fails_before_anything_is_written()
    {
        using var dir = new TempFolder();
        string path = dir.File("state.safetensors");
        using var a = Tensor.Ones(4);
        SafeTensors.Save(path, [("a", a)]);
        byte[] previous = File.ReadAllBytes(path);

        var gone = Tensor.Ones(4);
        gone.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, [("a", a), ("gone", gone), ("a2", a)]));
        Assert.Contains("The tensor named 'gone' was disposed.", e.Message);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(["state.safetensors"], dir.FileNames());
    }

    [Fact]
    public void A_successful_save_replaces_the_previous_file_and_leaves_only_it()
    {
        using var dir = new TempFolder();
        string path = dir.File("state.safetensors");
        using var a = Tensor.Ones(4);
        using var b = Tensor.Full([2], 3f);
        SafeTensors.Save(path, [("a", a)]);
        SafeTensors.Save(path, [("b", b)]);
        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(["b"], loaded.Keys);
        Assert.Equal([3f, 3], loaded["b"].ToArray());
        Assert.Equal(["state.safetensors"], dir.FileNames());
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace ConvSharp.Training;

/// <summary>Writes TensorBoard event files (<c>events.out.tfevents.*</c>) with scalar summaries, so
/// <c>tensorboard --logdir DIR</c> shows loss and accuracy curves (PyTorch's <c>SummaryWriter.add_scalar</c>). Each
/// record is TFRecord-framed: the length (uint64, little-endian), its masked CRC-32C, the serialized <c>Event</c>
/// protobuf, and the data's masked CRC-32C. The few protobuf fields are encoded here directly.</summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly object _gate = new();

    /// <summary>Creates <paramref name="logDir"/> if needed and a new event file in it.</summary>
    public TensorBoardWriter(string logDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        Directory.CreateDirectory(logDir);
        long seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // TensorBoard reads every events.out.tfevents.* file of a folder; the random tail keeps two writers of one second apart.
        FilePath = Path.Combine(logDir, $"events.out.tfevents.{seconds}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}");
        _file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        // The first event of every file names the format version.
        var e = new ProtoWriter();
        e.Double(1, WallTime());
        e.String(3, "brain.Event:2");
        WriteRecord(e.ToArray());
    }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Adds one scalar point: <paramref name="value"/> of the curve <paramref name="tag"/> (e.g. "loss/train") at <paramref name="step"/>.</summary>
    public void AddScalar(string tag, double value, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var v = new ProtoWriter();
        v.String(1, tag);
        v.Float(2, (float)value);
        var summary = new ProtoWriter();
        summary.Message(1, v.ToArray());
        var e = new ProtoWriter();
        e.Double(1, WallTime());
        e.Varint(2, (ulong)step);
        e.Message(5, summary.ToArray());
        WriteRecord(e.ToArray());
    }

    /// <summary>Pushes written records to the file, so a running TensorBoard sees them.</summary>
    public void Flush()
    {
        lock (_gate) _file.Flush();
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        lock (_gate)
        {
            _file.Write(header);
            _file.Write(data);
            _file.Write(footer);
        }
    }

    /// <summary>TFRecord's masked CRC-32C: rotate right by 15 and add a constant, so a CRC of data holding CRCs stays well distributed.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }

    /// <summary>The protobuf wire format, for the fields an Event needs.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _bytes = new();

        private void Tag(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _bytes.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _bytes.WriteByte((byte)v);
        }

        public void Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
        }

        public void Double(int field, double value)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            _bytes.Write(b);
        }

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _bytes.Write(b);
        }

        public void String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}

/// <summary>Logs every epoch's losses, accuracies and learning rate to TensorBoard ("loss/train", "loss/validation",
/// "accuracy/train", "accuracy/validation" in %, "lr"), with the epoch as the step.</summary>
public sealed class TensorBoardCallback(TensorBoardWriter writer) : TrainerCallback
{
    /// <inheritdoc />
    public override void OnEpochEnd(Trainer trainer, EpochMetrics m, IReadOnlyList<EpochMetrics> history, bool improved)
    {
        void Add(string tag, double v)
        {
            if (!double.IsNaN(v)) writer.AddScalar(tag, v, m.Epoch);
        }
        Add("loss/train", m.TrainLoss);
        Add("loss/validation", m.ValLoss);
        Add("accuracy/train", 100 * m.TrainAccuracy);
        Add("accuracy/validation", 100 * m.ValAccuracy);
        Add("lr", m.Lr);
        writer.Flush();
    }
}

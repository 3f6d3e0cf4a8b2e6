using System.Buffers.Binary;
using System.Text;
using ConvSharp.Training;

namespace ConvSharp.Tests.Training;

/// <summary>The event file read back by a reader written here from the TFRecord and protobuf specifications: a
/// bitwise CRC-32C (polynomial 0x82F63B78, not the writer's hardware instruction), record framing, and the Event /
/// Summary / Value fields. (TensorBoard itself is not installable here: no Debian package, no PyPI.)</summary>
public class TensorBoardTests
{
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint c = Crc32C(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }

    private static List<byte[]> Records(byte[] file)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < file.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            Assert.Equal(Masked(file.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)));
            byte[] data = file.AsSpan(at + 12, (int)length).ToArray();
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length)));
            records.Add(data);
            at += 12 + (int)length + 4;
        }
        Assert.Equal(file.Length, at);
        return records;
    }

    /// <summary>Protobuf fields of one message: (field number, wire type, varint value or payload bytes).</summary>
    private static List<(int Field, int Wire, ulong Value, byte[] Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        int at = 0;
        ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[at++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
        }
        while (at < message.Length)
        {
            ulong key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add((field, wire, Varint(), [])); break;
                case 1: fields.Add((field, wire, 0, message[at..(at += 8)])); break;
                case 5: fields.Add((field, wire, 0, message[at..(at += 4)])); break;
                case 2:
                    int n = (int)Varint();
                    fields.Add((field, wire, 0, message[at..(at += n)]));
                    break;
                default: Assert.Fail($"unexpected wire type {wire}"); break;
            }
        }
        return fields;
    }

    [Fact]
    public void Scalars_read_back_through_an_independent_reader()
    {
        using var dir = new TempFolder();
        string path;
        using (var w = new TensorBoardWriter(dir.Path))
        {
            path = w.FilePath;
            w.AddScalar("loss/train", 0.75, 1);
            w.AddScalar("accuracy/validation", 91.25, 300);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
        var records = Records(File.ReadAllBytes(path));
        Assert.Equal(3, records.Count);

        var first = Fields(records[0]);
        Assert.Equal((1, 1), (first[0].Field, first[0].Wire));  // wall_time, a double of seconds since 1970
        double wall = BinaryPrimitives.ReadDoubleLittleEndian(first[0].Bytes);
        Assert.InRange(wall, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal("brain.Event:2", Encoding.UTF8.GetString(first.Single(f => f.Field == 3).Bytes));

        foreach (var (record, tag, value, step) in new[] { (records[1], "loss/train", 0.75f, 1UL), (records[2], "accuracy/validation", 91.25f, 300UL) })
        {
            var e = Fields(record);
            Assert.Equal(step, e.Single(f => f.Field == 2 && f.Wire == 0).Value);
            var summary = Fields(e.Single(f => f.Field == 5 && f.Wire == 2).Bytes);
            var v = Fields(summary.Single(f => f.Field == 1).Bytes);
            Assert.Equal(tag, Encoding.UTF8.GetString(v.Single(f => f.Field == 1).Bytes));
            Assert.Equal(value, BinaryPrimitives.ReadSingleLittleEndian(v.Single(f => f.Field == 2 && f.Wire == 5).Bytes));
        }
        // The reader's CRC against the published check value of CRC-32C ("123456789" → 0xE3069283).
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));
    }

    [Fact]
    public void The_trainer_callback_logs_each_epoch()
    {
        using var dir = new TempFolder();
        using var model = TrainingData.Net(1);
        using var opt = new ConvSharp.Optim.Adam(model.Parameters(), 0.01f);
        using var train = new ConvSharp.Data.DataLoader(TrainingData.Classes(12, 1), 6);
        using var val = new ConvSharp.Data.DataLoader(TrainingData.Classes(6, 2), 6);
        string path;
        using (var writer = new TensorBoardWriter(dir.Path))
        {
            path = writer.FilePath;
            var trainer = new Trainer();
            trainer.Callbacks.Add(new TensorBoardCallback(writer));
            trainer.Fit(model, new ConvSharp.NN.CrossEntropyLoss(), opt, train, val, 2);
        }
        var tags = Records(File.ReadAllBytes(path)).Skip(1).Select(r =>
        {
            var e = Fields(r);
            var v = Fields(Fields(e.Single(f => f.Field == 5).Bytes).Single().Bytes);
            return $"{e.Single(f => f.Field == 2).Value}:{Encoding.UTF8.GetString(v.Single(f => f.Field == 1).Bytes)}";
        }).ToArray();
        Assert.Equal(["1:loss/train", "1:loss/validation", "1:accuracy/train", "1:accuracy/validation", "1:lr",
            "2:loss/train", "2:loss/validation", "2:accuracy/train", "2:accuracy/validation", "2:lr"], tags);
    }
}

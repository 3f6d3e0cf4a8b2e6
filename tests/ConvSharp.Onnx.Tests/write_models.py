# Writes ONNX models with onnx.helper (Debian's python3-onnx), an independent writer, in the forms PyTorch's
# exporter emits. Run by ImportTests as: /usr/bin/python3 write_models.py OUTDIR
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
rng = np.random.default_rng(0)


def init(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def save(name, nodes, inits, in_shape, out_shape, opset=17):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits)
    model = helper.make_model(graph, producer_name="onnx.helper", opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, f"{out}/{name}.onnx")


# Conv -> BatchNormalization -> Relu -> MaxPool -> Flatten -> Gemm(transB=1): PyTorch's CNN export.
var = np.abs(rng.standard_normal(8)).astype(np.float32) + 0.5
save("conv_bn_relu_gemm", [
    helper.make_node("Conv", ["x", "features.0.weight", "features.0.bias"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], name="/features/0/Conv"),
    helper.make_node("BatchNormalization", ["c", "features.1.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var"], ["b"], epsilon=1e-5, momentum=0.9),
    helper.make_node("Relu", ["b"], ["r"]),
    helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p"], ["f"], axis=1),
    helper.make_node("Gemm", ["f", "classifier.weight", "classifier.bias"], ["y"], alpha=1.0, beta=1.0, transB=1),
], [init("features.0.weight", 8, 3, 3, 3), init("features.0.bias", 8), init("features.1.weight", 8), init("features.1.bias", 8),
    init("features.1.running_mean", 8), numpy_helper.from_array(var, "features.1.running_var"),
    init("classifier.weight", 10, 8 * 4 * 4), init("classifier.bias", 10)], ["batch", 3, 8, 8], ["batch", 10])

# Reshape with a shape initializer holding -1, Constant nodes for a scale and a shift.
save("reshape_constant", [
    helper.make_node("Constant", [], ["scale"], value=numpy_helper.from_array(np.array(0.5, dtype=np.float32))),
    helper.make_node("Constant", [], ["shift"], value_floats=[0.25, -0.25, 1.0]),
    helper.make_node("Conv", ["x", "conv.weight"], ["c"], kernel_shape=[3, 3]),
    helper.make_node("Mul", ["c", "scale"], ["m"]),
    helper.make_node("Reshape", ["m", "shape"], ["rs"]),
    helper.make_node("Add", ["rs", "shift"], ["a"]),
    helper.make_node("Sigmoid", ["a"], ["y"]),
], [init("conv.weight", 3, 2, 3, 3), numpy_helper.from_array(np.array([-1, 3], dtype=np.int64), "shape")],
    ["batch", 2, 5, 5], ["n", 3])

# x.view(x.size(0), -1) as PyTorch writes it: Shape -> Gather -> Unsqueeze -> Concat -> Reshape; opset 13
# (Unsqueeze's axes as an input, Softmax over the last axis).
save("opset13_view_softmax", [
    helper.make_node("AveragePool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 1, 1], count_include_pad=1),
    helper.make_node("Shape", ["p"], ["s"]),
    helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(np.array(0, dtype=np.int64))),
    helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
    helper.make_node("Constant", [], ["axes"], value=numpy_helper.from_array(np.array([0], dtype=np.int64))),
    helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
    helper.make_node("Constant", [], ["minus1"], value=numpy_helper.from_array(np.array([-1], dtype=np.int64))),
    helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
    helper.make_node("Reshape", ["p", "shape"], ["f"]),
    helper.make_node("MatMul", ["f", "w"], ["mm"]),
    helper.make_node("Add", ["mm", "b"], ["z"]),
    helper.make_node("Softmax", ["z"], ["y"], axis=-1),
], [init("w", 2 * 3 * 3, 4), init("b", 4)], ["batch", 2, 5, 5], ["batch", 4], opset=13)

# ConvTranspose, Resize (nearest, asymmetric/floor, as PyTorch writes nn.Upsample), Concat, Clip, GlobalAveragePool.
save("decoder", [
    helper.make_node("ConvTranspose", ["x", "up.weight", "up.bias"], ["u"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Resize", ["x", "", "scales"], ["r"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
    helper.make_node("Concat", ["u", "r"], ["c"], axis=1),
    helper.make_node("Clip", ["c", "lo", "hi"], ["k"]),
    helper.make_node("GlobalAveragePool", ["k"], ["y"]),
], [init("up.weight", 3, 4, 2, 2), init("up.bias", 4), numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"),
    numpy_helper.from_array(np.array(-0.2, dtype=np.float32), "lo"), numpy_helper.from_array(np.array(0.3, dtype=np.float32), "hi")],
    ["batch", 3, 4, 4], ["batch", 7, 1, 1])

# An op outside the supported set, twice, and one more: the error must list them all.
save("unknown_ops", [
    helper.make_node("Relu", ["x"], ["a"]),
    helper.make_node("HardSwish", ["a"], ["b"]),
    helper.make_node("HardSwish", ["b"], ["c"]),
    helper.make_node("Erf", ["c"], ["y"]),
], [], ["batch", 3], ["batch", 3])

# A weight that does not fit its input: 4 input channels expected, the graph input has 3.
# (written without the checker, which would refuse it before ConvSharp sees it)
graph = helper.make_graph([helper.make_node("Conv", ["x", "conv.weight"], ["y"], kernel_shape=[3, 3])], "shape_mismatch",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [init("conv.weight", 6, 4, 3, 3)])
model = helper.make_model(graph, producer_name="onnx.helper", opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 7
onnx.save(model, f"{out}/shape_mismatch.onnx")
print("ok")

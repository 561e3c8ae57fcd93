package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/** Creates the model's parameters under the reference code's names and reads them during a forward pass. */
final class Params {

    /** Standard deviation of every projection and the embedding at initialisation (GPT-2 style). */
    static final float WEIGHT_STD = 0.02f;

    private Params() {}

    /** A bias-free projection stored as (out, in), PyTorch's nn.Linear layout. */
    static Parameter linear(String name, long out, long in) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).optInitializer(new NormalInitializer(WEIGHT_STD)).build();
    }

    /** A (vocab, dModel) embedding table. */
    static Parameter embedding(String name, long vocab, long width) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocab, width)).optInitializer(new NormalInitializer(WEIGHT_STD)).build();
    }

    /** A norm gain initialised to 1. */
    static Parameter gain(String name, long size) {
        return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA)
                .optShape(new Shape(size)).optInitializer(new ConstantInitializer(1f)).build();
    }

    /** A vector drawn from N(0, std), as the λ vectors of DIFF V1. */
    static Parameter normalVector(String name, long size, float std) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER)
                .optShape(new Shape(size)).optInitializer(new NormalInitializer(std)).build();
    }

    /** The parameter's value on the input's device. */
    static NDArray value(ParameterStore ps, Parameter parameter, NDArray like, boolean training) {
        return ps.getValue(parameter, like.getDevice(), training);
    }

    /**
     * The parameter's value in FLOAT32. The copy a 16-bit model needs is a temporary of the pass, on {@code like}'s
     * manager: made from the parameter it would land on the parameters' manager and stay until the model closes.
     */
    static NDArray float32(ParameterStore ps, Parameter parameter, NDArray like, boolean training) {
        NDArray value = value(ps, parameter, like, training);
        if (value.getDataType() == DataType.FLOAT32) {
            return value;
        }
        NDArray converted = value.toType(DataType.FLOAT32, false);
        converted.attach(like.getManager());
        return converted;
    }
}

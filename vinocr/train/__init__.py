"""Training (TensorFlow/Keras, the `train` extra): EMNIST files, the VIN-33 pool and split,
augmentation, the CNN, the training loop, ONNX export and test metrics. The app and the CLIs never
import the modules that need TensorFlow (augment, model, fit, export)."""

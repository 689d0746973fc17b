"""Reading one box: decode the image, make it look like an EMNIST sample, run the model; and the
task's command line (`vinocr DIR`)."""

# vinocr web demo.
#   docker build -t vinocr .
#   docker run --rm -p 8501:8501 vinocr      # then open http://localhost:8501
# The Metrics page's gallery of misclassified test images needs the EMNIST files:
#   docker run --rm -p 8501:8501 -v /path/to/emnist:/data/emnist:ro -e VINOCR_EMNIST_DIR=/data/emnist vinocr
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /app

# Pinned runtime requirements first (no TensorFlow: the app runs the ONNX model), so code changes
# don't reinstall them. requirements-app.txt is generated from pyproject.toml.
COPY requirements-app.txt ./
RUN pip install --no-cache-dir -r requirements-app.txt

# The app, its helpers, the package, the trained model and the sample boxes.
COPY app.py ./
COPY .streamlit/ .streamlit/
COPY pages/ pages/
COPY ui/ ui/
COPY vinocr/ vinocr/
COPY models/ models/
COPY samples/ samples/

# Run as an unprivileged user.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin vinocr
USER vinocr

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).status != 200)"]

CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]

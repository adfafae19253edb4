"""Model builders (functions returning keras models) and keras.Model subclasses trained with fit().

Import the module you need: ``from aigc_course.models import gan, vae, transformer``."""

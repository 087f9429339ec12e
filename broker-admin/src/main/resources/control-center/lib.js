// The libraries the Control Center uses, served from WebJars in the broker's JAR (versions pinned in the POM).
export { html, render, nothing } from '/webjars/lit-html/3.2.1/lit-html.js';
export { live } from '/webjars/lit-html/3.2.1/directives/live.js';
export { default as UPlot } from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';

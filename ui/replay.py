import streamlit as st
st.title("Replay")
